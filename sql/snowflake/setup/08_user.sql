-- The loader's user: key-pair only (no password). Put the public key here; the private key goes
-- into the stack's Snowflake secret (README).
CREATE USER IF NOT EXISTS SPOTIFY_PIPELINE_LOADER
    DEFAULT_ROLE = SPOTIFY_PIPELINE
    DEFAULT_WAREHOUSE = SPOTIFY_PIPELINE_WH
    RSA_PUBLIC_KEY = '<public key, base64, without the PEM header lines>'
