"""Care pages: staff plan pages (plan), homework and library (homework), the client's (client)."""
