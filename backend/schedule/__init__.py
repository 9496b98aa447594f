"""The working-day calendar, reminders (三提醒一通报), notices and run records."""
