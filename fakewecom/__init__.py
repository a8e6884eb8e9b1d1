"""A strict fake WeCom (企业微信) server: the API over real HTTP and members who post encrypted callbacks."""
