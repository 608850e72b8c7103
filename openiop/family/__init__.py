"""The family member's portal: exactly what the client's consent allows, nothing after it ends."""
