"""Page layouts: per record kind and role, which sections and fields the detail page and the edit
form show, in what order, which are read-only, and which make the compact layout of narrow screens.

``models``: the stored layout (``PageLayout``). ``registry``: the kinds that have layouts and the
fields a layout may place (apps register theirs in ``ready()``). ``resolve``: the layout a user gets
(cached per process like field protection, so pages without a layout pay no query) and how it shapes a
detail page's rows and a form's fields. ``services``: every write, checked and audited. ``builder``:
the editor's rows, read back without script. A layout only narrows: who may read or edit a field is
decided by ``core.fieldaccess`` and the custom field roles before a layout is applied.
"""
