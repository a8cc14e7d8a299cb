"""The WeChat mini-program channel: binding, sign-in and API tokens, 葵花码, subscribe messages."""
