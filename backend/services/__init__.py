"""Services: the one write path shared by the bot, the console, the API and the jobs."""
