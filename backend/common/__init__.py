"""Small pure helpers every area may use: bounded value parsing and the CJK typeface."""
