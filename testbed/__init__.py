"""What the tests and the benchmarks both run on (scratch databases, a real SMTP server): neither imports the other."""
