from billing.tests.fixtures import _stripe_server, _wechat_server, stripe_fake, wechat_fake, wechat_keys

__all__ = ["_stripe_server", "_wechat_server", "stripe_fake", "wechat_fake", "wechat_keys"]
