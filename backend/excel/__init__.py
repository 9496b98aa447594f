"""Excel in and out: import templates, roster and duty-list imports, streamed exports."""
