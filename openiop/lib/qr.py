import segno


def qr_svg_data_uri(text: str) -> str:
    """A QR code as an SVG data URI, rendered on the server (no script, no external host)."""
    return str(segno.make(text, error="m").svg_data_uri(scale=5, border=2))
