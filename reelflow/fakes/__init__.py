"""In-memory implementations of the ports in functions/services/ports.py, for millisecond unit tests.

They apply the same domain rules as the DynamoDB adapters (domain.transitions for status changes,
domain.membership for members, exact counters), so a use case behaves the same on either."""
