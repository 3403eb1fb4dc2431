// Placeholder replaced by the arbitraries module.
export {};
