"""The bottom layer: errors, plain data types, configuration and small file/text helpers."""
