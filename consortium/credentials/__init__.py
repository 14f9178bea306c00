"""Portable credentials: what one approved credit says, as a signed Open Badges 3.0
``AchievementCredential`` (and a learner's credits as a CLR 2.0 ``ClrCredential``), the issuer's
signing key, and verification.  Signed as VC-JOSE (the credential's JSON is the payload of a JWS
with ``typ`` ``vc+jwt``); every JSON-LD context is a local copy (``reference/``)."""
