-- Snowflake reads the lake by assuming the IAM role the stack creates (its ARN is a stack output).
-- Replace the two placeholders with the stack's outputs, then DESC INTEGRATION SPOTIFY_LAKE and put
-- its STORAGE_AWS_IAM_USER_ARN and STORAGE_AWS_EXTERNAL_ID into the stack's config (README).
CREATE STORAGE INTEGRATION IF NOT EXISTS SPOTIFY_LAKE
    TYPE = EXTERNAL_STAGE
    STORAGE_PROVIDER = 'S3'
    ENABLED = TRUE
    STORAGE_AWS_ROLE_ARN = 'arn:aws:iam::<account>:role/<snowflake-lake-reader-role>'
    STORAGE_ALLOWED_LOCATIONS = ('s3://<lake-bucket>/bronze/')
