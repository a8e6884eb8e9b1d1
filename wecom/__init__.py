"""WeCom (企业微信) adapter: callback endpoint, API client, rendering of the core's messages."""
