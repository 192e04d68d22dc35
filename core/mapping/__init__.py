"""Mapping of catalogue columns to Amazon Flat File fields.

- :mod:`core.mapping.default` — the guide's default mapping, one row per Amazon field (data);
- :mod:`core.mapping.transforms` — the transforms a row may apply, as SQL (data);
- :mod:`core.mapping.fields` — Amazon field labels in the templates' languages;
- :mod:`core.mapping.profiles` — named, versioned profiles per marketplace, validated on save;
- :mod:`core.mapping.product_types` — category → Amazon product type / browse node;
- :mod:`core.mapping.query` — a mapping as one SQL ``SELECT`` (writer and preview).
"""
