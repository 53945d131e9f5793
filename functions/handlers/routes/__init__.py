"""HTTP routes, one Powertools Router per feature, included by functions/handlers/api.py."""
