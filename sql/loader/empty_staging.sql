DELETE FROM bronze.load_staging
