"""``python -m bot``: run the Telegram bot."""

import sys

from bot.app import main

if __name__ == "__main__":
    sys.exit(main())
