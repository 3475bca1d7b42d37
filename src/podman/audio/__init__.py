"""Audio in: probing exact facts, ffmpeg processing, tags and artwork."""
