"""Xinrongbao (信融宝) GraphQL backend-for-frontend."""
