"""Retention (issue #19): policies, legal hold, and the job that deletes or anonymises
resolved conversations once their time is up (docs/privacy.md)."""
