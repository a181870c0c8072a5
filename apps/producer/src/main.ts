console.log('sitewatch producer');
