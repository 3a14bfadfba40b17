from django.dispatch import Signal

# Sent with ``ruleset`` and ``by`` after a rule set was published (inside its transaction).
ruleset_published = Signal()
