"""The public pages behind QR codes and short links: no sign-in."""
