"""Operations: install, check, back up, observe and serve an installation."""
