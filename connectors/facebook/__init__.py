"""Facebook Page comments and Messenger, through facebook-sdk (``FacebookConnector``)."""
