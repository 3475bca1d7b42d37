"""The plain-text catalog: episode files, related articles, chapters and transcripts."""
