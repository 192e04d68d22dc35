"""The SP-API client side: environments, credentials, rate limiter, retries, typed calls per API.

- ``environments`` — production, Amazon's sandbox hosts, the local sandbox (as data)
- ``credentials`` — Client ID / Client Secret / Refresh Token storage (outside git), masking
- ``client`` — the client factory and :func:`~core.spapi.client.call` (limiter + retries + typed errors)
- ``ratelimit``, ``retry``, ``results``, ``redact`` — the pieces ``call`` is made of
- ``sellers``, ``listings``, ``catalog``, ``feeds``, ``product_types`` — one module per API
- ``connection_test`` — "Tester la connexion": the guide's four checks

Kept import-light (no ``sp_api`` here): the schema registry imports ``core.integrations``.
"""
