"""Custom fields and record validation rules, defined by administrators without code.

``models``: the definitions (``CustomField``, ``ValidationRule``) and the schema revisions that
version them. ``schema``: the cached schema per record kind and who may read or edit a field
(``readable_custom_fields``). ``values``: coercion and validation of ``custom_field_data`` on every
write (called by ``core.services.create_record`` / ``update_record``). ``rules``: the CEL validation
rules. ``services``: every write to the definitions. ``forms``/``display``/``listing``: what pages use.
"""
