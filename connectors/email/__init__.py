"""The e-mail channel: one mailbox read over IMAP and answered over SMTP (docs/platforms.md)."""
