"""A My Number-shaped value for tests: eleven digits plus a valid check digit (not a real one)."""

A_MY_NUMBER = "123456789018"
