"""The provider's WeChat official account: connection (Open Platform authorization or pasted
credentials), shared access tokens, the message callback, the menu, template messages and OAuth."""
