"""A second factor (TOTP, django-otp) for people who sign in with a password.

Admins must have one: until the session is verified, every page answers with a redirect to
enrolment or verification and the session-authenticated API with 403. Others may enrol. Single
sign-on sessions are exempt: the organisation's provider does its own second factor. API tokens
are exempt too: a token is a long random secret made for a program, shown once, revocable, and
a program cannot type a code.
"""
