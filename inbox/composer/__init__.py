"""What a reply becomes before it is sent: the signature, the channel's length limit, the
messaging window, the personal-data guard and canned responses."""
