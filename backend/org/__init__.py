"""The organisation: departments, sections, staff, accounts, duty catalogues, contact sync."""
