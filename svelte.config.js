// Shared by vite-plugin-svelte and svelte-check. Svelte 5 compiles
// `<script lang="ts">` natively, so no preprocessor is needed.
export default {};
