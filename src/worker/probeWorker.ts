// Placeholder for the sweep worker process entry.
export {};
