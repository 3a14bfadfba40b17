"""Small helpers every app may use. Nothing here imports the project's own apps."""
