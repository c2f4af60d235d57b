"""Expansion deals: from the whitespace of an account's installed base (the product families it does not
own yet), or more of what it owns (upsell), an opportunity in the sales pipeline with the product line."""
