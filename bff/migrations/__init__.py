"""Database migrations of app `models`: `.venv/bin/tortoise makemigrations` writes them, `bff migrate` applies them."""
