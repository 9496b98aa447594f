"""The web layer: the WeCom callback, the console, the public pages and the JSON API."""
