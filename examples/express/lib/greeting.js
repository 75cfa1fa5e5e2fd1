// Kept in its own file so a one-file change rebuilds only the app layer.
exports.greeting = () => 'hello from distill';
