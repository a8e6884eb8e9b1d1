"""WeChat service account (微信服务号) adapter for residents: callback endpoint, API client,
rendering of the core's messages."""
