// Entry of dist/rotation-client.bundle.js (`@rotation/client/bundle`): the client with its own
// zod inside, for a `<script type="module">` without a bundler. Only this copy of zod is set
// jitless; the other builds leave the application's zod alone.
import './zod-jitless.js';

export * from './index.js';
