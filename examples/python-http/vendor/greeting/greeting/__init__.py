"""Says hello."""


def greet(name: str) -> str:
    return f"hello from {name} (greeting 0.1.0)"
