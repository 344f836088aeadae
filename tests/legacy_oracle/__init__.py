"""The hand-written models docgen read before the form engine (issue 19), kept as a test oracle only.

``form``: the published form's facts in their old flat shape; ``submission``: the old hand-written
submission model; ``adapter``: the tree stated in that shape. Tests compare the generated model and the
tree with them (same values, same facts); docgen itself never imports them.
"""
