-- The manifests already dealt with among those a listing from this key on finds. Bound: the key.
SELECT manifest_key FROM bronze.load_arrivals WHERE manifest_key > ?
