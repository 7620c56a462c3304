"""Code every app shares and that knows nothing of any of them (as healthchecks' `hc/lib/`).

`display` and `display_tags` (how values are shown to the person reading), `textinput` (form
fields that refuse invisible and control characters), `backoff` (slowing repeated failures),
`fast_insert` (one statement for many rows), `acts` (the second step before a grave act and a
refusal), `chart_geometry` (bars and axes in Python). Nothing here imports an app.
"""
