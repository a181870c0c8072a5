// placeholder so tsc has an input until the first benchmark lands
export {};
